#!/usr/bin/env python3
"""Write the seed inputs of the login_pdu and login fuzz targets.

    fuzz/make-seeds.py            (re)writes fuzz/corpus/login_pdu/*.bin
                                  and fuzz/corpus/login/*.bin

The login_pdu seeds are single Login Response PDUs (BHS and padded data);
the login seeds are a 5-byte header (see fuzz/login_fuzz.cpp) and the
responses of a scripted target for a whole login.
"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ISID = bytes([0x80, 0x12, 0x34, 0x56, 0x00, 0x01])  # login_fuzz.cpp's ISID
SEP = b"\xffPDU"
PASSWORD = b"fuzz-out=secret-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz"


def keys(*pairs):
    return b"".join(k.encode() + b"=" + v.encode() + b"\0" for k, v in pairs)


def bhs(t=False, c=False, csg=0, nsg=0, data=b"", isid=ISID, tsih=0, itt=0, statsn=1,
        exp_cmdsn=1, max_cmdsn=1, cls=0, det=0, opcode=0x23, ahs=0):
    b = bytearray(48)
    b[0] = opcode
    b[1] = (0x80 if t else 0) | (0x40 if c else 0) | csg << 2 | nsg
    b[4] = ahs
    b[5:8] = len(data).to_bytes(3, "big")
    b[8:14] = isid
    b[14:16] = struct.pack(">H", tsih)
    b[16:20] = struct.pack(">I", itt)
    b[24:36] = struct.pack(">III", statsn, exp_cmdsn, max_cmdsn)
    b[36], b[37] = cls, det
    return bytes(b)


def pdu(data=b"", **kw):
    """A PDU on the wire: BHS, data, padding to 4 bytes."""
    return bhs(data=data, **kw) + data + b"\0" * (-len(data) % 4)


def piece(data=b"", **kw):
    """A piece of split framing: BHS and unpadded data."""
    return bhs(data=data, **kw) + data


OP_ANSWER = keys(("HeaderDigest", "None"), ("DataDigest", "None"), ("InitialR2T", "Yes"),
                 ("ImmediateData", "Yes"), ("MaxBurstLength", "262144"), ("FirstBurstLength", "65536"),
                 ("MaxRecvDataSegmentLength", "65536"), ("DefaultTime2Wait", "2"),
                 ("DefaultTime2Retain", "0"), ("MaxOutstandingR2T", "1"), ("ErrorRecoveryLevel", "0"))
CHALLENGE = "0x" + bytes(range(9, 25)).hex()


def login_pdu_seeds():
    return {
        "plain.bin": pdu(keys(("TargetPortalGroupTag", "1"), ("AuthMethod", "None")), t=True, nsg=1),
        "chap-challenge.bin": pdu(keys(("CHAP_A", "5"), ("CHAP_I", "17"), ("CHAP_C", CHALLENGE))),
        "chap-base64.bin": pdu(keys(("CHAP_A", "7"), ("CHAP_I", "3"),
                                    ("CHAP_C", "0bAAECAwQFBgcICQoLDA0ODw=="))),
        "operational.bin": pdu(OP_ANSWER, t=True, csg=1, nsg=3, tsih=0x200, statsn=9),
        "redirect.bin": pdu(keys(("TargetAddress", "[fd00::5]:3261,2")), cls=1, det=1),
        "auth-failure.bin": pdu(cls=2, det=1, isid=bytes(6)),
        "reject.bin": pdu(opcode=0x3F),
        "continued.bin": pdu(keys(("MaxRecvDataSegmentLength", "8192")), c=True, csg=1, ahs=0),
    }


def header(config, algs=0, seed=7, fix=0, split=False):
    return bytes([config, algs, seed, fix, 1 if split else 0])


def login_seeds():
    sec_none = pdu(keys(("TargetPortalGroupTag", "1"), ("AuthMethod", "None")), t=True, nsg=1, statsn=7)
    op_done = pdu(OP_ANSWER, t=True, csg=1, nsg=3, tsih=0x200, statsn=8)
    chap_a = pdu(keys(("TargetPortalGroupTag", "1"), ("AuthMethod", "CHAP")))
    chap_c = pdu(keys(("CHAP_A", "5"), ("CHAP_I", "17"), ("CHAP_C", CHALLENGE)))
    sec_done = pdu(t=True, nsg=1)
    return {
        # no authentication, tpgt 1 given: the target's byte stream as is
        "noauth.bin": header(0x04) + sec_none + op_done,
        # one-way CHAP, MD5
        "chap-md5.bin": header(0x01, 0x01) + chap_a + chap_c + sec_done + op_done,
        # mutual CHAP, SHA-256 chosen from SHA256,MD5; the fix-ups answer
        # our challenge and fill in the numbers
        "mutual-sha256.bin": header(0x02, 0x05, fix=0xff, split=True) + SEP.join([
            piece(keys(("AuthMethod", "CHAP"))),
            piece(keys(("CHAP_A", "7"), ("CHAP_I", "200"), ("CHAP_C", "0x" + "ab" * 32))),
            piece(),
            piece(OP_ANSWER + keys(("X-com.example.Vendor", "1"))),
        ]),
        # mutual CHAP without username_in, SHA3-256 and SHA1 offered,
        # a base64 challenge, and a target that asks for CRC32C
        "mutual-sha3.bin":
        header(0x23, 0x0a, seed=0x5a, fix=0xff, split=True) + SEP.join([
            piece(keys(("AuthMethod", "CHAP"))),
            piece(keys(("CHAP_A", "8"), ("CHAP_I", "0"), ("CHAP_C", "0b" + "QUJD" * 8))),
            piece(keys(("TargetAlias", "fuzz disk"))),
            piece(keys(("HeaderDigest", "CRC32C"), ("DataDigest", "None"), ("MaxRecvDataSegmentLength", "512"))),
        ]),
        # mutual CHAP, and a wrong answer to our challenge
        "mutual-wrong.bin": header(0x02, 0x01, fix=0xff, split=True) + SEP.join([
            piece(keys(("AuthMethod", "CHAP"))),
            piece(keys(("CHAP_A", "5"), ("CHAP_I", "9"), ("CHAP_C", CHALLENGE))),
            piece(keys(("CHAP_R", "0x" + "00" * 16))),
        ]),
        # mutual CHAP, and the target sends our own response back
        "mutual-reflected.bin": header(0x03, 0x01, fix=0xff, split=True) + SEP.join([
            piece(keys(("AuthMethod", "CHAP"))),
            piece(keys(("CHAP_A", "5"), ("CHAP_I", "9"), ("CHAP_C", CHALLENGE))),
            piece(keys(("CHAP_R", "0x" + hashlib.md5(bytes([9]) + PASSWORD + bytes.fromhex(CHALLENGE[2:]))
                        .hexdigest()))),
        ]),
        # CRC32C digests only (operational set 2)
        "crc32c.bin": header(0x40, fix=0xff, split=True) + SEP.join([
            piece(keys(("AuthMethod", "None"))),
            piece(keys(("HeaderDigest", "CRC32C"), ("DataDigest", "CRC32C"))),
        ]),
        # redirect, then a plain login at the new portal
        "redirect.bin": header(0x00) + pdu(keys(("TargetAddress", "10.0.0.7:3262,1")), cls=1, det=1)
        + sec_none + op_done,
        # our "random" challenge (the seed byte over and over) equals the
        # target's: refused as a reflection
        "reflection.bin": header(0x12, 0x01, seed=0xab) + chap_a
        + pdu(keys(("CHAP_A", "5"), ("CHAP_I", "1"), ("CHAP_C", "0x" + "ab" * 16))),
        # the target refuses the credentials
        "auth-failure.bin": header(0x01) + pdu(cls=2, det=1, isid=bytes(6)),
        # a response split with the C bit, and a key the target starts
        "continued.bin": header(0x00) + sec_none
        + pdu(keys(("MaxRecvDataSegmentLength", "8192")), c=True, csg=1)
        + pdu(keys(("OFMarkInt", "2048~8192")), csg=1)
        + pdu(OP_ANSWER[OP_ANSWER.index(b"ImmediateData"):], t=True, csg=1, nsg=3),
    }


def write(sub, seeds):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("login_pdu", login_pdu_seeds())
    write("login", login_seeds())
