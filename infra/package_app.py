"""Run `chalice package` (CloudFormation/SAM, JSON) for a project copy; used by build.py.

Usage: python -m infra.package_app PROJECT_DIR CHALICE_STAGE OUT_DIR

It packages like `chalice package --pkg-format cloudformation`, with one difference: an
`@app.on_s3_event` handler cannot be packaged (CloudFormation cannot add a notification to
a bucket of another stack), so such a handler is left out with a warning instead of
failing the whole package. The import queue (S3 → SQS → import function) replaces it; once
it is merged no S3 handler is left and nothing is dropped.
"""

from __future__ import annotations

import os
import sys

from chalice.app import S3EventConfig
from chalice.cli.factory import CLIFactory


def package(project_dir: str, stage: str, out_dir: str) -> list[str]:
    """Package `project_dir` for `stage` into `out_dir`; return the S3 handlers left out."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")  # ARNs use ${AWS::Region}
    # As `chalice package` does: the stage's environment variables are set before app.py
    # is imported, so the names it reads then (the SQS handlers' queues) are the stage's,
    # which build.py rewrites into parameters. Without environ=os.environ Chalice updates
    # a copy, and the queues would be those of the building shell's stage (local).
    factory = CLIFactory(project_dir, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    dropped = [s.name for s in app.event_sources if isinstance(s, S3EventConfig)]
    app.event_sources[:] = [s for s in app.event_sources if not isinstance(s, S3EventConfig)]
    options = factory.create_package_options()
    packager = factory.create_app_packager(config, options, "cloudformation", "json")
    packager.package_app(config, out_dir, stage)
    return dropped


def main() -> None:
    """Command line: project dir, chalice stage, output dir."""
    project_dir, stage, out_dir = sys.argv[1:4]
    for name in package(project_dir, stage, out_dir):
        print(
            f"warning: S3 event handler {name!r} left out of the package "
            "(CloudFormation cannot subscribe it to the data bucket; the import queue "
            "replaces it)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
