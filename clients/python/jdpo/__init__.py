"""A thin Python client for jdpo's run API, the gRPC service jdpo.v1.RunService.

The message and stub modules under jdpo/v1/ are generated from proto/src/main/proto by generate.sh. Failed calls
raise grpc.RpcError: its code() is the gRPC status (INVALID_ARGUMENT for a bad config, NOT_FOUND for an unknown
run, ...) and its details() the message, which names the config field path (e.g. "training.beta: ...").
"""
from collections.abc import Iterator, Mapping
from typing import Union

import grpc
from google.protobuf import json_format

from jdpo.v1 import config_pb2, run_pb2, run_service_pb2, run_service_pb2_grpc

RunConfig = config_pb2.RunConfig
Run = run_pb2.Run
RunEvent = run_pb2.RunEvent
Checkpoint = run_pb2.Checkpoint
RunStatus = run_pb2.RunStatus

TERMINAL_STATUSES = frozenset({run_pb2.RUN_STATUS_SUCCEEDED, run_pb2.RUN_STATUS_FAILED,
                               run_pb2.RUN_STATUS_CANCELLED})

__all__ = ["Client", "RunConfig", "Run", "RunEvent", "Checkpoint", "RunStatus", "TERMINAL_STATUSES"]


class Client:
    """RunService calls over one plaintext channel; use it as a context manager, or close() it."""

    def __init__(self, address: str = "localhost:50051", *, timeout: float = 120.0):
        """timeout: seconds for each unary call (watch() has none: a run can train for days)."""
        self._channel = grpc.insecure_channel(address)
        self._stub = run_service_pb2_grpc.RunServiceStub(self._channel)
        self._timeout = timeout

    def create(self, config: Union[RunConfig, Mapping]) -> Run:
        """Creates a run. config: a RunConfig, or a dict in proto JSON with the .proto field names
        (e.g. {"model": {"policy": "/abs/model"}, "data": {...}, "output": {"output_dir": "/abs/out"}})."""
        if isinstance(config, Mapping):
            config = json_format.ParseDict(config, RunConfig())
        return self._stub.CreateRun(run_service_pb2.CreateRunRequest(config=config), timeout=self._timeout)

    def get(self, run_id: str) -> Run:
        return self._stub.GetRun(run_service_pb2.GetRunRequest(run_id=run_id), timeout=self._timeout)

    def watch(self, run_id: str, after_sequence: int = 0) -> Iterator[RunEvent]:
        """The run's events with sequence > after_sequence, stored ones first, then live ones as they happen.
        The iterator ends after the event that moves the run to a terminal status. To pick up after a dropped
        connection, watch again with the last sequence seen: nothing is missed or repeated."""
        yield from self._stub.WatchRun(run_service_pb2.WatchRunRequest(run_id=run_id, after_sequence=after_sequence))

    def cancel(self, run_id: str) -> Run:
        """Stops the run at its next step boundary (its checkpoints are kept) and returns it."""
        return self._stub.CancelRun(run_service_pb2.CancelRunRequest(run_id=run_id), timeout=self._timeout)

    def list(self, status: int = run_pb2.RUN_STATUS_UNSPECIFIED, page_size: int = 100) -> Iterator[Run]:
        """Every run, newest first, fetched a page at a time; status (e.g. jdpo.RunStatus.Value(
        "RUN_STATUS_SUCCEEDED")) keeps only runs in that status."""
        token = ""
        while True:
            page = self._stub.ListRuns(run_service_pb2.ListRunsRequest(page_size=page_size, page_token=token,
                                                                       status=status), timeout=self._timeout)
            yield from page.runs
            token = page.next_page_token
            if not token:
                return

    def checkpoints(self, run_id: str) -> list:
        """The run's kept checkpoints (step, path, metrics), oldest first."""
        return list(self._stub.ListCheckpoints(run_service_pb2.ListCheckpointsRequest(run_id=run_id),
                                               timeout=self._timeout).checkpoints)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
