#!/usr/bin/env python3
"""Reference benchmark for `peruse bench client`: Python's official `openai.AsyncOpenAI`
against the same local endpoint (the OpenRouter emulator), same workload: N chat-completion
requests, C in flight, each with one synthetic PNG of about --image-kb KB (the same bytes the
Swift benchmark builds). Prints requests/s and CPU time per request (getrusage, this process).

  openrouter-emulator --port 8089 &
  python3 scripts/bench/openai_client_bench.py --base-url http://127.0.0.1:8089/api/v1 \
      --concurrency 16 --requests 500 --image-kb 200
"""
import argparse, asyncio, base64, json, resource, struct, sys, time, zlib

from openai import AsyncOpenAI


def synthetic_png(approximate_bytes: int) -> bytes:
    """Byte-for-byte the PNG of SyntheticPNG.make in BenchClientCommand.swift."""
    width = 256
    row_bytes = 1 + width * 3
    height = max(1, approximate_bytes // row_bytes)
    raw = bytearray()
    state = 0x12345678
    for _ in range(height):
        raw.append(0)
        for _ in range(width * 3):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            raw.append(state >> 24)
    out = bytearray(b"\x78\x01")
    offset = 0
    while True:
        length = min(65535, len(raw) - offset)
        final = 1 if offset + length == len(raw) else 0
        out += bytes([final]) + struct.pack("<HH", length, length ^ 0xFFFF) + raw[offset:offset + length]
        offset += length
        if offset >= len(raw):
            break
    out += struct.pack(">I", zlib.adler32(bytes(raw)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", bytes(out)) + chunk(b"IEND", b"")


def cpu_seconds() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=32)
    ap.add_argument("--image-kb", type=int, default=200)
    ap.add_argument("--image", help="send this file instead of the synthetic PNG")
    ap.add_argument("--model", default="meta-llama/llama-4-maverick:free")
    ap.add_argument("--api-key", default="sk-or-v1-emulator", help="the emulator's default key")
    ap.add_argument("--stream", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    if a.image:
        data = open(a.image, "rb").read()
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    else:
        data, mime = synthetic_png(a.image_kb * 1024), "image/png"
    url = f"data:{mime};base64,{base64.b64encode(data).decode()}"

    client = AsyncOpenAI(base_url=a.base_url, api_key=a.api_key, max_retries=0, timeout=600)

    async def one(i: int) -> bool:
        messages = [{"role": "user", "content": [
            {"type": "text", "text": f"Describe image {i} in one sentence."},
            {"type": "image_url", "image_url": {"url": url}}]}]
        try:
            if a.stream:
                stream = await client.chat.completions.create(model=a.model, messages=messages, max_tokens=64, stream=True)
                async for _ in stream:
                    pass
            else:
                await client.chat.completions.create(model=a.model, messages=messages, max_tokens=64)
            return True
        except Exception as e:  # counted as a failure, like the Swift side
            print(f"request {i} failed: {e}", file=sys.stderr)
            return False

    async def run_all(count: int):
        sem = asyncio.Semaphore(a.concurrency)
        latencies = []

        async def timed(i):
            async with sem:
                t = time.perf_counter()
                ok = await one(i)
                latencies.append(time.perf_counter() - t)
                return ok
        results = await asyncio.gather(*(timed(i) for i in range(count)))
        return sum(results), latencies

    await run_all(a.warmup)
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    ok, lat = await run_all(a.requests)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    await client.close()
    lat.sort()
    result = {
        "client": f"openai {__import__('openai').__version__} (Python {sys.version.split()[0]}, AsyncOpenAI)",
        "requests": a.requests, "ok": ok, "concurrency": a.concurrency, "imageBytes": len(data),
        "stream": a.stream, "wallSeconds": wall, "requestsPerSecond": a.requests / wall,
        "cpuMillisecondsPerRequest": cpu * 1000 / a.requests,
        "p50Milliseconds": lat[len(lat) // 2] * 1000, "p95Milliseconds": lat[min(len(lat) - 1, len(lat) * 95 // 100)] * 1000,
    }
    if a.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"{result['client']}: {ok}/{a.requests} ok, concurrency {a.concurrency}, image {len(data)} bytes"
              f"{', streamed' if a.stream else ''}\n  {result['requestsPerSecond']:.1f} requests/s, "
              f"{result['cpuMillisecondsPerRequest']:.2f} ms CPU per request, latency p50 {result['p50Milliseconds']:.1f} ms, "
              f"p95 {result['p95Milliseconds']:.1f} ms ({wall:.2f} s wall)")
    return 0 if ok == a.requests else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
