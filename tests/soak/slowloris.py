"""slowloris.py PORT plain|tls N SECONDS: holds N slow connections to
127.0.0.1:PORT for SECONDS. Each sends the start of a request (plain: a
request line and a field; tls: the first bytes of a real ClientHello), then
one more byte every 2-4 s and never finishes. A connection the server closes
is counted and opened again, so the flood stays at N. Prints its figures as
one JSON object on stdout.
"""
import asyncio
import json
import random
import resource
import ssl
import sys
import time


def client_hello():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, outg, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outg.read()


async def main():
    port, mode, n, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if mode == "tls":
        hello = client_hello()
        first, rest = hello[:24], hello[24:]
    else:
        first, rest = b"GET / HTTP/1.1\r\nHost: localhost\r\n", b"X-Slow: " + b"a" * 4000
    st = {"mode": mode, "wanted": n, "connects": 0, "connect_errors": 0, "closed_by_server": 0,
          "reset_by_server": 0, "bytes_from_server": 0, "open": 0, "peak_open": 0,
          "seconds_to_full": None}
    t0 = time.monotonic()
    deadline = t0 + seconds
    # The whole flood must be up well within kiln-edge's --header-timeout
    # (10 s), after which it closes the first ones: 1,000 connects in flight.
    gate = asyncio.Semaphore(1000)

    async def one(i):
        rnd = random.Random(i)
        await asyncio.sleep(i * 0.0001)
        while time.monotonic() < deadline:
            try:
                async with gate:
                    r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
            except (OSError, asyncio.TimeoutError):
                st["connect_errors"] += 1
                await asyncio.sleep(0.5)
                continue
            st["connects"] += 1
            st["open"] += 1
            if st["open"] > st["peak_open"]:
                st["peak_open"] = st["open"]
                if st["open"] >= n and st["seconds_to_full"] is None:
                    st["seconds_to_full"] = round(time.monotonic() - t0, 1)
            try:
                w.write(first)
                j = 0
                while time.monotonic() < deadline:
                    try:
                        d = await asyncio.wait_for(r.read(4096),
                                                   min(rnd.uniform(2, 4), max(0.01, deadline - time.monotonic())))
                    except asyncio.TimeoutError:
                        if j < len(rest):
                            w.write(rest[j:j + 1])
                            j += 1
                        continue
                    if not d:
                        st["closed_by_server"] += 1
                        break
                    st["bytes_from_server"] += len(d)
            except (ConnectionResetError, BrokenPipeError):
                st["reset_by_server"] += 1
                st["closed_by_server"] += 1
            finally:
                st["open"] -= 1
                w.close()
            await asyncio.sleep(0.05)

    await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    st["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(st))


if __name__ == "__main__":
    asyncio.run(main())
