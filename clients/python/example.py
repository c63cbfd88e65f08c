#!/usr/bin/env python3
"""Drives a jdpo orchestrator with the jdpo module: one JSON object a line on stdout.

  example.py [--address HOST:PORT] create CONFIG.json [--watch]   create a run; --watch: follow it to its end,
                                                                   then list its checkpoints
  example.py [--address HOST:PORT] list [--status SUCCEEDED]
  example.py [--address HOST:PORT] cancel RUN_ID
  example.py [--address HOST:PORT] checkpoints RUN_ID

CONFIG.json is a jdpo.v1.RunConfig in proto JSON with the .proto field names. Exit status: 0, or 1 when a
watched run did not succeed, 2 when a call fails (printed as {"error": CODE, "message": ...}).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import jdpo  # noqa: E402


def show(message):
    """A proto message as proto JSON, with the .proto field names."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def emit(value):
    print(json.dumps(value), flush=True)


def create(client, args):
    with open(args.config, encoding="utf-8") as f:
        run = client.create(json.load(f))
    emit({"created": run.id, "status": jdpo.RunStatus.Name(run.status)})
    if not args.watch:
        return 0
    for event in client.watch(run.id):
        emit({"sequence": event.sequence, "payload": event.WhichOneof("payload"), "message": event.message})
    done = client.get(run.id)
    emit({"final_status": jdpo.RunStatus.Name(done.status), "result_model_dir": done.result_model_dir})
    emit({"checkpoints": [show(c) for c in client.checkpoints(run.id)]})
    return 0 if done.status == jdpo.RunStatus.Value("RUN_STATUS_SUCCEEDED") else 1


def list_runs(client, args):
    status = jdpo.RunStatus.Value("RUN_STATUS_" + args.status.upper()) if args.status else 0
    for run in client.list(status=status):
        emit({"id": run.id, "name": run.name, "status": jdpo.RunStatus.Name(run.status)})
    return 0


def cancel(client, args):
    run = client.cancel(args.run_id)
    emit({"id": run.id, "status": jdpo.RunStatus.Name(run.status)})
    return 0


def checkpoints(client, args):
    for checkpoint in client.checkpoints(args.run_id):
        emit(show(checkpoint))
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default=os.environ.get("JDPO_ADDRESS", "localhost:50051"))
    commands = parser.add_subparsers(dest="command", required=True)
    create_parser = commands.add_parser("create")
    create_parser.add_argument("config")
    create_parser.add_argument("--watch", action="store_true")
    create_parser.set_defaults(run=create)
    list_parser = commands.add_parser("list")
    list_parser.add_argument("--status")
    list_parser.set_defaults(run=list_runs)
    for name, command in (("cancel", cancel), ("checkpoints", checkpoints)):
        command_parser = commands.add_parser(name)
        command_parser.add_argument("run_id")
        command_parser.set_defaults(run=command)
    args = parser.parse_args(argv)
    with jdpo.Client(args.address) as client:
        try:
            return args.run(client, args)
        except grpc.RpcError as failed:
            emit({"error": failed.code().name, "message": failed.details()})
            return 2
        except (OSError, ValueError, json_format.ParseError) as unreadable:
            emit({"error": "BAD_CONFIG_FILE", "message": str(unreadable)})
            return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
