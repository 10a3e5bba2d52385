"""Measure how many updates a second `nudgebot run` takes in webhook mode, and how fast it answers.

Run: .venv/bin/python bench/webhook.py [--db sqlite|postgres] [--instances N] [--people 1000]
     [--rates 100,300,500,700] [--seconds 10] [--connections 40] [--floor]

Builds a fresh database of `--people` onboarded people (reminders off, so every message is a
reply), starts `--instances` processes of `python -m bot run` in webhook mode against the
sandbox, which runs with the people in a process of its own (bench/telegram_side.py), and for
each rate posts that many Telegram updates a second for `--seconds`: people typing "had
kefir", pressing check-in buttons (sending /checkin first where no question is open) and
sending /today, each person again only after the bot answered them. At most `--connections`
POSTs are open at once, each until the webhook's answer, as Telegram's webhook connections
are (before 2026-12-02 07:40 UTC a connection was held until the reply, which capped the
answered rate at connections / latency). Several instances share
the updates as a load balancer would (by chat). For each rate it prints the updates answered
per second, the latency from the update's POST to the reply reaching the sandbox (p50/p99),
the time to the webhook's 200 (the inbox write), the bot processes' CPU per update, the
arrivals that found every person still waiting (the bot fell behind), and the CPU per update of
Telegram's side, which shares the machine with the bot. With `--floor` the processes are
bench/webhook_floor.py instead (PTB alone, no database): the bot's figures over the floor's
are what the bot's own work costs. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from replies import PG_ADMIN, database, onboard, pct
from telegram_side import TOKEN, Sample, TelegramSide

SECRET = "bench_webhook_SECRET_0123456789"
ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """Return a process's user + system CPU time so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Instance:
    """One `python -m bot run` in webhook mode."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}/telegram"

    @classmethod
    async def start(
        cls,
        db_url: str,
        api_url: str,
        folder: Path,
        index: int,
        *,
        floor: bool = False,
        pyinstrument: str | None = None,
    ) -> Instance:
        port = free_port()
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": db_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        if pyinstrument is not None:  # the whole run, start-up included (profile_site)
            env["PYTHONPATH"] = str(ROOT / "bench" / "profile_site")
            env["NUDGEBOT_PYINSTRUMENT"] = pyinstrument
        log = folder / f"bot-{index}.log"
        command = ("bench/webhook_floor.py",) if floor else ("-m", "bot", "run", "--no-migrate")
        with open(log, "wb") as out:  # noqa: ASYNC230 (once, before the bot starts)
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *command,
                cwd=ROOT,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=out,
            )
        instance = cls(process, port, log)
        await instance.listening()
        return instance

    async def listening(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                if time.monotonic() > deadline or self.process.returncode is not None:
                    raise RuntimeError(f"the bot did not start: {self.log}") from None
                await asyncio.sleep(0.1)
                continue
            writer.close()
            await writer.wait_closed()
            return

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            print(f"the bot did not stop within 30 s after SIGTERM; killed ({self.log})")
            self.process.kill()
            await self.process.wait()


async def profile(
    args: argparse.Namespace, instance: Instance, rate: float
) -> asyncio.subprocess.Process | None:
    """Attach py-spy to the first instance for the last rate's stage, if asked."""
    if args.py_spy is None or rate != args.rates[-1]:
        return None
    spy = Path(sys.executable).parent / "py-spy"
    return await asyncio.create_subprocess_exec(
        str(spy),
        "record",
        "--pid",
        str(instance.process.pid),
        "--rate",
        "250",
        "--format",
        "raw",
        "--duration",
        str(int(args.seconds)),
        "--output",
        args.py_spy,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


@dataclass
class Stage:
    """One rate's figures."""

    rate: float
    seconds: float
    samples: list[Sample]
    cpu: float
    side_cpu: float = 0.0

    def answered(self) -> list[Sample]:
        return [s for s in self.samples if s.replied is not None]

    def throughput(self) -> float:
        """Replies per second from the first POST to the last reply (a slow bot stretches it)."""
        answered = self.answered()
        if not answered:
            return 0.0
        first = min(s.posted for s in self.samples)
        last = max(s.replied for s in answered if s.replied is not None)
        return len(answered) / max(self.seconds, last - first)

    def latency(self, p: float) -> float:
        times = [s.seconds for s in self.answered() if s.seconds is not None]
        return pct(times, p) * 1000 if times else float("nan")

    def ack(self, p: float) -> float:
        times = [s.acked - s.posted for s in self.answered() if s.acked is not None]
        return pct(times, p) * 1000 if times else float("nan")

    def behind(self) -> int:
        return sum(1 for s in self.samples if s.action == "busy")

    def failed(self) -> int:
        return sum(1 for s in self.samples if s.action != "busy" and s.replied is None)


async def run(args: argparse.Namespace) -> list[Stage]:
    """Start the bot(s) once and measure every rate in turn."""
    side = TelegramSide(direct=True)
    stages: list[Stage] = []
    folder = Path(tempfile.mkdtemp(prefix="nudgebot-webhook-"))
    try:
        async with database(args.db, args.pg) as url:
            ids = await side.ask("people", args.people)
            await onboard(url, ids)
            instances = [
                await Instance.start(
                    url,
                    side.base_url,
                    folder,
                    i,
                    floor=args.floor,
                    pyinstrument=args.pyinstrument if i == 0 else None,
                )
                for i in range(args.instances)
            ]
            try:
                await side.ask("webhook", ([i.url for i in instances], SECRET, args.connections))
                # A warm-up: every instance's first requests, imports and caches.
                await side.ask("load", (50, 2, args.connections))
                for rate in args.rates:
                    cpu = sum(cpu_seconds(i.process.pid) for i in instances)
                    side_cpu = cpu_seconds(side.pid)
                    spy = await profile(args, instances[0], rate)
                    samples = await side.ask("load", (rate, args.seconds, args.connections))
                    if spy is not None:
                        await spy.wait()
                    cpu = sum(cpu_seconds(i.process.pid) for i in instances) - cpu
                    side_cpu = cpu_seconds(side.pid) - side_cpu
                    stages.append(Stage(rate, args.seconds, samples, cpu, side_cpu))
                    print(summary_line(stages[-1]), flush=True)
            finally:
                for instance in instances:
                    await instance.stop()
                errors = [
                    i.log for i in instances if "Traceback" in i.log.read_text(encoding="utf-8")
                ]
                if errors:
                    print(f"the bot logged errors: {', '.join(map(str, errors))}")
    finally:
        await side.close()
    return stages


def summary_line(stage: Stage) -> str:
    answered = len(stage.answered())
    return (
        f"{stage.rate:>7.0f}{stage.throughput():>10.1f}{stage.latency(50):>9.1f}"
        f"{stage.latency(99):>9.1f}{stage.ack(50):>9.1f}{stage.ack(99):>9.1f}"
        f"{1000 * stage.cpu / max(1, answered):>9.2f}{stage.behind():>8}{stage.failed():>8}"
        f"{1000 * stage.side_cpu / max(1, answered):>9.2f}"
    )


HEADER = (
    f"{'rate/s':>7}{'answered/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'200 p50':>9}{'200 p99':>9}"
    f"{'CPU ms':>9}{'behind':>8}{'failed':>8}{'side ms':>9}"
)


def show(args: argparse.Namespace, runs: list[list[Stage]]) -> None:
    """Print the median over runs of every figure, per rate."""
    what = "PTB's floor (bench/webhook_floor.py)" if args.floor else args.db
    print(
        f"\nWebhook, {what}, {args.instances} instance(s), {args.people} people, "
        f"{args.seconds:.0f} s per rate, {args.connections} connections (median of {len(runs)})"
    )
    print(HEADER)
    for i, rate in enumerate(args.rates):
        stages = [r[i] for r in runs if len(r) > i]
        figures = [
            statistics.median(s.throughput() for s in stages),
            statistics.median(s.latency(50) for s in stages),
            statistics.median(s.latency(99) for s in stages),
            statistics.median(s.ack(50) for s in stages),
            statistics.median(s.ack(99) for s in stages),
            statistics.median(1000 * s.cpu / max(1, len(s.answered())) for s in stages),
            statistics.median(1000 * s.side_cpu / max(1, len(s.answered())) for s in stages),
        ]
        behind = statistics.median(s.behind() for s in stages)
        failed = statistics.median(s.failed() for s in stages)
        print(
            f"{rate:>7.0f}{figures[0]:>10.1f}"
            + "".join(f"{f:>9.1f}" for f in figures[1:5])
            + f"{figures[5]:>9.2f}{behind:>8.0f}{failed:>8.0f}{figures[6]:>9.2f}"
        )
    mix = Counter(s.action for r in runs for st in r for s in st.samples)
    print("mix: " + ", ".join(f"{a} {n}" for a, n in mix.most_common()))
    print(
        "answered/s: replies to updates posted at that rate, over the stage; p50/p99: POST to the"
        "\nreply in the sandbox; 200: POST to the webhook's answer (the inbox write); CPU ms: the"
        "\nbot processes' CPU per answered update; behind: arrivals with every person waiting;"
        "\nside ms: the CPU per answered update of Telegram's side (the sandbox and the people),"
        "\nwhich shares the machine's cores with the bot."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rates", default="100,300,500,700")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=40, help="Telegram's default is 40")
    parser.add_argument("--runs", type=int, default=1, help="fresh bot and database each")
    parser.add_argument("--pg", default=PG_ADMIN, help="PostgreSQL URL to create databases at")
    parser.add_argument(
        "--py-spy", metavar="FILE", help="profile the first instance during the last rate (raw)"
    )
    parser.add_argument(
        "--pyinstrument",
        metavar="FILE",
        help="run the first instance under pyinstrument; its session is saved to FILE at exit",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="run bench/webhook_floor.py (PTB alone, no database) instead of the bot",
    )
    args = parser.parse_args()
    args.rates = [float(r) for r in args.rates.split(",")]
    if args.pyinstrument and importlib.util.find_spec("pyinstrument") is None:
        parser.error("--pyinstrument needs pyinstrument: .venv/bin/pip install pyinstrument")
    if args.instances > 1 and args.db == "sqlite" and not args.floor:
        parser.error("several instances need PostgreSQL")
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(HEADER)
    runs = [asyncio.run(run(args)) for _ in range(args.runs)]
    show(args, runs)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
