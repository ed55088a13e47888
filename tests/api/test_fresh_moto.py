"""`aws_env` shares one moto per test process and empties it before each test: whatever a
test leaves in a table, the bucket, a queue or SSM is gone for the next one, and the
resources of infra/ are there again."""

from __future__ import annotations

import pytest

from chalicelib import aws
from chalicelib.settings import get_settings

# Both runs in one process, so that the second sees what the first left if emptying fails.
pytestmark = pytest.mark.xdist_group("fresh-moto")


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_from_the_resources_of_infra_only(aws_env, run):
    settings = get_settings()
    ddb, s3, sqs, ssm = (aws.client(name) for name in ("dynamodb", "s3", "sqs", "ssm"))
    tables = (
        settings.accounts_table,
        settings.billing_table,
        settings.audit_table,
        settings.service_table,
    )
    assert set(ddb.list_tables()["TableNames"]) == set(tables)
    for table in tables:
        assert ddb.scan(TableName=table)["Count"] == 0
    assert "Versions" not in s3.list_object_versions(Bucket=settings.data_bucket)
    queue = aws.queue_url(settings.reset_queue)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)
    assert ssm.get_parameters(Names=["/left/behind"])["InvalidParameters"] == ["/left/behind"]

    # Leave something everywhere for the next run to find.
    for table in tables:
        ddb.put_item(TableName=table, Item={"pk": {"S": f"left-{run}"}, "sk": {"S": "x"}})
    s3.put_object(Bucket=settings.data_bucket, Key="left.txt", Body=b"x")
    sqs.send_message(QueueUrl=queue, MessageBody="left")
    ssm.put_parameter(Name="/left/behind", Value="x", Type="String")
    ddb.create_table(
        TableName="left-behind",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
