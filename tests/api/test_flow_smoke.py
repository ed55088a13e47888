from tests.factories import active_account, bearer


def test_register_activate_login_me(client, outbox):
    active_account(client, outbox)
    headers = bearer(client)
    response = client.http.get("/me", headers=headers)
    assert response.status_code == 200, response.body
    assert response.json_body["login"] == "100200"
    assert response.json_body["name"] == "Klient 100200"
