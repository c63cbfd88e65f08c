#!/usr/bin/env python3
"""Prints the scalars of the TensorBoard event files under LOGDIR, one JSON object a line.

An independent check of jdpo's TensorBoard writer: it uses neither TensorBoard nor jdpo's .proto files. The
record framing (TFRecord: uint64 length, masked CRC32C of it, data, masked CRC32C of the data) and the fields of
tensorflow.Event / tensorflow.Summary are decoded by hand from their published specs, and every CRC is checked.
Like TensorBoard, a SessionLog START at step s drops the scalars logged earlier in its directory at steps >= s.

Usage: read_tfevents.py LOGDIR
Output: {"run": DIR_RELATIVE_TO_LOGDIR, "tag": ..., "step": ..., "value": ..., "wall_time": ...} per scalar.
Exit status 1, with the file and offset, on a bad record.
"""
import json
import os
import struct
import sys

# tensorflow.Event fields (tensorflow/core/util/event.proto)
EVENT_WALL_TIME, EVENT_STEP, EVENT_FILE_VERSION, EVENT_SUMMARY, EVENT_SESSION_LOG = 1, 2, 3, 5, 7
# tensorflow.Summary.value, and Summary.Value's tag and simple_value (tensorflow/core/framework/summary.proto)
SUMMARY_VALUE, VALUE_TAG, VALUE_SIMPLE_VALUE = 1, 1, 2
SESSION_LOG_STATUS, SESSION_START = 1, 1


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC_TABLE = _crc32c_table()


def masked_crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    offset = 0
    while offset < len(data):
        if offset + 12 > len(data):
            raise ValueError(f"{path}: truncated record header at byte {offset}")
        header = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        if masked_crc32c(header) != length_crc:
            raise ValueError(f"{path}: length CRC mismatch at byte {offset}")
        start = offset + 12
        body = data[start:start + length]
        if len(body) != length or start + length + 4 > len(data):
            raise ValueError(f"{path}: truncated record at byte {offset}")
        (body_crc,) = struct.unpack("<I", data[start + length:start + length + 4])
        if masked_crc32c(body) != body_crc:
            raise ValueError(f"{path}: data CRC mismatch at byte {offset}")
        yield body
        offset = start + length + 4


def varint(buf, i):
    value, shift = 0, 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7


def fields(buf):
    """(field number, wire type, value) of a protobuf message: ints for varints, bytes for the rest."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, i = varint(buf, i)
        elif wire_type == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire_type == 2:
            length, i = varint(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire_type == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type} of field {number}")
        yield number, wire_type, value


def as_int64(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def read_event(body):
    event = {"wall_time": 0.0, "step": 0, "scalars": [], "file_version": None, "start": False}
    for number, _, value in fields(body):
        if number == EVENT_WALL_TIME:
            (event["wall_time"],) = struct.unpack("<d", value)
        elif number == EVENT_STEP:
            event["step"] = as_int64(value)
        elif number == EVENT_FILE_VERSION:
            event["file_version"] = value.decode("utf-8")
        elif number == EVENT_SUMMARY:
            for summary_field, _, summary_value in fields(value):
                if summary_field == SUMMARY_VALUE:
                    event["scalars"].append(read_value(summary_value))
        elif number == EVENT_SESSION_LOG:
            event["start"] = any(f == SESSION_LOG_STATUS and v == SESSION_START for f, _, v in fields(value))
    return event


def read_value(buf):
    tag, simple_value = None, None
    for number, _, value in fields(buf):
        if number == VALUE_TAG:
            tag = value.decode("utf-8")
        elif number == VALUE_SIMPLE_VALUE:
            (simple_value,) = struct.unpack("<f", value)
    return tag, simple_value


def read_dir(directory, files):
    scalars = []
    for name in sorted(files):
        path = os.path.join(directory, name)
        for index, body in enumerate(records(path)):
            event = read_event(body)
            if index == 0 and not (event["file_version"] or "").startswith("brain.Event:"):
                raise ValueError(f"{path}: the first event is not a file_version event")
            if event["start"]:
                scalars = [s for s in scalars if s["step"] < event["step"]]
            for tag, value in event["scalars"]:
                if value is not None:
                    scalars.append({"tag": tag, "step": event["step"], "value": value,
                                    "wall_time": event["wall_time"]})
    return scalars


def main(logdir):
    for directory, _, files in sorted(os.walk(logdir)):
        event_files = [f for f in files if "tfevents" in f]
        if event_files:
            run = os.path.relpath(directory, logdir)
            for scalar in read_dir(directory, event_files):
                print(json.dumps({"run": run, **scalar}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: read_tfevents.py LOGDIR")
    try:
        main(sys.argv[1])
    except (OSError, ValueError, IndexError, struct.error) as bad:
        print(f"read_tfevents: {bad}", file=sys.stderr)
        sys.exit(1)
