"""A TCP relay from the real node's side of the host to the API server on loopback.

The control plane (kwokctl) listens on 127.0.0.1 only, and its own components reach it
there. The real node lives in its own network namespace, where 127.0.0.1 is the node's
loopback, so the kubelet, kube-proxy and every pod (through the `kubernetes` Service,
whose endpoint is the API server's advertise address) connect to the host end of the
node's veth pair instead; this relays those connections, bytes unchanged (TLS end to end),
to the API server. It listens only on that veth address.

Usage: python api_proxy.py LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT
Stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

CHUNK = 64 * 1024


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then pass the half-close on (HTTP clients may rely on it)."""
    with contextlib.suppress(OSError):
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()


async def _relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter, target: tuple[str, int]) -> None:
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(*target)
    except OSError:
        client_writer.close()
        return
    try:
        await asyncio.gather(_pump(client_reader, upstream_writer), _pump(upstream_reader, client_writer))
    finally:
        for writer in (client_writer, upstream_writer):
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def serve(listen: tuple[str, int], target: tuple[str, int]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signo in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signo, stop.set)
    server = await asyncio.start_server(lambda r, w: _relay(r, w, target), listen[0], listen[1], reuse_address=True)
    async with server:
        await stop.wait()


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    listen_host, listen_port, target_host, target_port = argv
    asyncio.run(serve((listen_host, int(listen_port)), (target_host, int(target_port))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
