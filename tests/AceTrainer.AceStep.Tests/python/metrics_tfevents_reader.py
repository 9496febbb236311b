"""Reads TensorBoard event files without TensorFlow: checks every TFRecord CRC-32C and prints the events as JSON.

usage: metrics_tfevents_reader.py PATH   (an event file, or a folder: every events.out.tfevents.* file in name order)
Output: [{"file": name, "records": [{"wall_time", "step", "file_version"?, "scalars"?: {tag: value}}]}]
Any CRC mismatch, truncated record or malformed protobuf exits with status 1 and a message naming the file.
"""
import json
import os
import struct
import sys


def _crc32c_table():
    poly = 0x82F63B78  # Castagnoli, reflected
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, pos):
    shift = value = 0
    while True:
        if pos >= len(buf):
            raise ValueError("varint runs past the end of the message")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def fields(buf):
    """Yields (number, wire_type, value) of a protobuf message; value is bytes for fixed and length-delimited fields."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == 2:
            length, pos = varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > len(buf):
            raise ValueError("field runs past the end of the message")
        yield number, wire, value


def decode_event(data):
    event = {"wall_time": None, "step": 0}
    for number, wire, value in fields(data):
        if number == 1 and wire == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2 and wire == 0:
            event["step"] = value - (1 << 64) if value >= 1 << 63 else value
        elif number == 3 and wire == 2:
            event["file_version"] = value.decode("utf-8")
        elif number == 5 and wire == 2:
            scalars = event.setdefault("scalars", {})
            for vn, vw, vv in fields(value):
                if vn != 1 or vw != 2:
                    continue
                tag, simple = None, None
                for n2, w2, v2 in fields(vv):
                    if n2 == 1 and w2 == 2:
                        tag = v2.decode("utf-8")
                    elif n2 == 2 and w2 == 5:
                        simple = struct.unpack("<f", v2)[0]
                scalars[tag] = simple
    return event


def read_records(path):
    with open(path, "rb") as f:
        content = f.read()
    pos, records = 0, []
    while pos < len(content):
        if pos + 12 > len(content):
            raise ValueError(f"{path}: truncated record header at byte {pos}")
        header = content[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", content[pos + 8:pos + 12])
        if masked(header) != length_crc:
            raise ValueError(f"{path}: length CRC mismatch at byte {pos}")
        data = content[pos + 12:pos + 12 + length]
        if len(data) != length or pos + 16 + length > len(content):
            raise ValueError(f"{path}: truncated record at byte {pos}")
        (data_crc,) = struct.unpack("<I", content[pos + 12 + length:pos + 16 + length])
        if masked(data) != data_crc:
            raise ValueError(f"{path}: data CRC mismatch at byte {pos}")
        records.append(decode_event(data))
        pos += 16 + length
    return records


def main():
    target = sys.argv[1]
    files = [target] if os.path.isfile(target) else sorted(
        os.path.join(target, name) for name in os.listdir(target) if name.startswith("events.out.tfevents."))
    try:
        out = [{"file": os.path.basename(p), "records": read_records(p)} for p in files]
    except ValueError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
