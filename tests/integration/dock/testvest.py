#!/usr/bin/python3
# SPDX-License-Identifier: EUPL-1.2
"""A scripted vest on a pty for kicktrackd's tests (dock protocol 1, see
firmware-protocols/dock.md), with the faults the tests need. Independent of
the C codec on purpose: a second implementation of the wire format."""
import argparse, os, pty, random, select, struct, sys, time, tty, zlib

def crc8(b):
    c = 0
    for x in b:
        c ^= x
        for _ in range(8):
            c = ((c << 1) ^ 0x07) & 0xff if c & 0x80 else (c << 1) & 0xff
    return c

def frame(t, seq, p):
    h = bytes([t, seq]) + struct.pack('<H', len(p))
    body = h + bytes([crc8(h)]) + p
    return b'\xd0\x4b' + body + struct.pack('<I', zlib.crc32(body))

ap = argparse.ArgumentParser()
ap.add_argument('--id', required=True)
ap.add_argument('--link', required=True)
ap.add_argument('--log', action='append', default=[], help='session file (repeatable)')
ap.add_argument('--unplug-after', type=int, default=-1, help='hang up after N response bytes')
ap.add_argument('--corrupt-every', type=int, default=0, help='flip a byte in every Nth READ answer')
ap.add_argument('--stall-every', type=int, default=0, help='stall after every N READ answers')
ap.add_argument('--stall-ms', type=int, default=0)
ap.add_argument('--rate', type=int, default=0, help='bytes/s limit')
ap.add_argument('--mode', default='vest', choices=['vest', 'garbage', 'nmea'])
ap.add_argument('--erase-log', help='append one line per ERASE')
ap.add_argument('--store', help='store root: ERASE checks the raw file exists')
ap.add_argument('--wrong-size', action='store_true',
                help='READ answers give the session size 1 byte too big (a firmware fault)')
ap.add_argument('--idle-exit', type=float, default=60)
a = ap.parse_args()

sessions = []
for i, path in enumerate(a.log):
    data = open(path, 'rb').read()
    sessions.append([100 + i, data, zlib.crc32(data)])

m, s = pty.openpty()
tty.setraw(s)
name = os.ttyname(s)
tmp = a.link + '.tmp'
if os.path.lexists(tmp):
    os.unlink(tmp)
os.symlink(name, tmp)
os.rename(tmp, a.link)
os.close(s)

sent = 0
def send(b):
    global sent
    if a.unplug_after >= 0 and sent + len(b) > a.unplug_after:
        b = b[:a.unplug_after - sent]
        os.write(m, b)
        os.unlink(a.link)
        os.close(m)
        sys.exit(0)
    if a.rate:
        for i in range(0, len(b), 512):
            os.write(m, b[i:i + 512])
            time.sleep(len(b[i:i + 512]) / a.rate)
    else:
        os.write(m, b)
    sent += len(b)

rng = random.Random(a.id)
buf = b''
reads = 0
last = time.time()
while time.time() - last < a.idle_exit:
    if a.mode == 'garbage':
        os.write(m, bytes(rng.randrange(256) for _ in range(200)).replace(b'\xd0', b'\x00'))
    elif a.mode == 'nmea':
        os.write(m, b'$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n')
    r, _, _ = select.select([m], [], [], 0.05 if a.mode != 'vest' else 1)
    if not r:
        continue
    try:
        d = os.read(m, 4096)
    except OSError:
        time.sleep(0.05)
        continue
    last = time.time()
    if a.mode != 'vest':
        continue
    buf += d
    while True:
        i = buf.find(b'\xd0\x4b')
        if i < 0:
            buf = b''
            break
        buf = buf[i:]
        if len(buf) < 7:
            break
        t, seq, ln = buf[2], buf[3], struct.unpack('<H', buf[4:6])[0]
        if len(buf) < 11 + ln:
            break
        p = buf[7:7 + ln]
        buf = buf[11 + ln:]
        if t == 1:
            out = bytes([1, 0]) + a.id.encode().ljust(16, b'\0') + \
                struct.pack('<HBBHQQq', 0x0103, 80, 0, len(sessions), 1 << 30, 1 << 31, 0)
        elif t == 2:
            first = struct.unpack('<H', p)[0]
            ent = sessions[first:first + 64]
            out = struct.pack('<HHB', len(sessions), first, len(ent))
            for sid, data, crc in ent:
                out += struct.pack('<IqII', sid, 1700000000000000, len(data), crc)
        elif t == 3:
            sid, off, ml = struct.unpack('<IIH', p)
            ss = [x for x in sessions if x[0] == sid]
            if not ss:
                out = bytes([3, 3]); t = 0x7f
            else:
                data = ss[0][1]
                ch = data[off:off + ml]
                size = len(data) + 1 if a.wrong_size else len(data)
                out = struct.pack('<IIIIH', sid, off, size, zlib.crc32(ch), len(ch)) + ch
                reads += 1
                if a.corrupt_every and reads % a.corrupt_every == 0 and len(ch):
                    out = bytearray(out); out[-1] ^= 0x55; out = bytes(out)
                if a.stall_every and reads % a.stall_every == 0:
                    time.sleep(a.stall_ms / 1000)
        elif t == 5:
            sid, crc = struct.unpack('<II', p)
            ss = [x for x in sessions if x[0] == sid and x[2] == crc]
            if a.erase_log:
                exists = 0
                if a.store:
                    exists = int(os.path.exists('%s/raw/%s/%d-%08x.log' % (a.store, a.id, sid, crc)))
                with open(a.erase_log, 'a') as f:
                    f.write('ERASE %s %d exists=%d\n' % (a.id, sid, exists))
            if ss:
                sessions.remove(ss[0])
                out = struct.pack('<I', sid)
            else:
                out = bytes([5, 3]); t = 0x7f
        else:
            out = bytes([t, 1]); t = 0x7f
        send(frame(t | 0x80, seq, out))
