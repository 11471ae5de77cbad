"""`healthdir serve` with several worker processes: what must stay true across them.

The service forks workers that share one listening socket (healthdir/serving.py). These
tests run the real command with two workers and check, over real HTTP, that both answer,
and that what is shared still holds: one rate limit for forms, one secret for form tokens,
one count of searches that found nothing, one queue, and no worker left running after
the service stops, even when it is killed; and that a visitor who hangs up stops no worker, and that
a busy worker leaves new visitors to the others.
"""

from __future__ import annotations

import io
import multiprocessing
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, Client, alive, start_serving
from test_register_service import SHELTER_FORM, pending, post_form

from healthdir.publish import build
from healthdir.serving import taking
from search.unmet_need import UnmetNeed
from service import rate_counts

FORMS_AN_HOUR = 30
CLIENTS = 10


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux's /proc)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def cpu_ticks(pid: int) -> int:
    """The processor time ``pid`` has used so far, in clock ticks (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def two_workers(site: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """`healthdir serve --workers 2` for ``site``, until the caller is done."""
    with open(site / "pelicanconf.py", "a") as settings:
        settings.write(f'\nFORM_RATE_LIMIT = "{FORMS_AN_HOUR} per hour"\n')
    url, server = start_serving(site, "--workers", "2")
    yield url, server, site
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def workers(reg_site: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """The site built, and served by two workers."""
    build(reg_site, reg_site / "output", today=TODAY)
    yield from two_workers(reg_site)


@pytest.fixture
def unbuilt(site: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """Two workers serving a site not built yet (enough to start and stop them)."""
    yield from two_workers(site)


def test_two_workers_share_the_work_the_limit_the_secret_the_counts_and_the_queue(
    workers: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    url, server, site = workers
    # The main process started the counting process and two workers.
    started = children(server.pid)
    assert len(started) == 3
    before = {pid: cpu_ticks(pid) for pid in started}

    # A burst of searches that find nothing: both workers answer, and every one is counted.
    def search(_number: int) -> int:
        return Client(url).get("/search?q=underwater+basket+weaving")[0]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        assert set(pool.map(search, range(200))) == {200}
    used = {pid: cpu_ticks(pid) - before[pid] for pid in started}
    busy = sorted(used.values())[1:]  # the two workers; the counting process did nothing
    assert min(busy) >= sum(busy) / 5, f"one worker answered nearly everything: {used}"
    [need] = UnmetNeed(site / "var" / "unmet-need.sqlite3").needs()
    assert (need.query, need.searches) == ("underwater basket weaving", 200)

    # Forms from one address, each over its own connection, to whichever worker takes it:
    # a token made by one worker is good at the other, the same group sent five times at
    # once is queued once, and the hourly limit is counted once for both workers.
    client = Client(url)
    token = client.csrf_token("/register")

    def send(name: str) -> int:
        return post_form(client, "/register", {**SHELTER_FORM, "group_name": name}, token)[0]

    names = [f"Rescue number {n}" for n in range(20)] + ["Same rescue"] * 5
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        assert list(pool.map(send, names)) == [200] * 25
    assert len(pending(site)) == 21
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(send, [f"Late rescue {n}" for n in range(10)]))
    assert sorted(statuses) == [200] * (FORMS_AN_HOUR - 25) + [429] * (35 - FORMS_AN_HOUR)
    assert len(pending(site)) == 21 + FORMS_AN_HOUR - 25


def test_no_worker_outlives_the_service(unbuilt: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    url, server, _site = unbuilt
    started = children(server.pid)
    server.send_signal(signal.SIGKILL)  # not even a chance to stop them
    server.wait()
    for _ in range(100):
        if not any(alive(pid) for pid in started):
            break
        time.sleep(0.05)
    assert not any(alive(pid) for pid in started)
    with pytest.raises(OSError):
        Client(url).get("/search")


def test_stopping_the_service_stops_its_workers(
    unbuilt: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    _url, server, _site = unbuilt
    started = children(server.pid)
    server.terminate()
    assert server.wait(timeout=10) == 0
    assert not any(alive(pid) for pid in started)


def test_a_visitor_hanging_up_stops_no_worker(
    unbuilt: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    url, server, _site = unbuilt
    started = children(server.pid)
    host, port = url.removeprefix("http://").split(":")
    for _ in range(20):  # ask for a page, then hang up at once, before the answer comes
        with socket.create_connection((host, int(port))) as visitor:
            visitor.sendall(b"GET /search?q=walking HTTP/1.1\r\nHost: healthdir\r\n\r\n")
            visitor.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(0.5)
    assert children(server.pid) == started, "a worker stopped, and another was started"
    assert Client(url).get("/search?q=walking")[0] == 503  # still answering: not built yet


def test_a_busy_worker_takes_no_new_visitor_until_it_is_done() -> None:
    release = threading.Event()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] == "/slow":
            release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        if environ["PATH_INFO"] == "/file":  # as a static page is sent
            return environ["wsgi.file_wrapper"](io.BytesIO(b"a file"))
        return [environ["PATH_INFO"].encode()]

    listener = socket.create_server(("127.0.0.1", 0))
    server = taking(app, listener, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"

    def until(taking_visitors: bool) -> bool:
        for _ in range(200):
            if server.readable() == taking_visitors:
                return True
            time.sleep(0.02)
        return False

    try:
        assert until(taking_visitors=True)
        with ThreadPoolExecutor(max_workers=1) as pool:
            slow = pool.submit(lambda: urllib.request.urlopen(url + "/slow", timeout=10).read())
            assert until(taking_visitors=False), "it went on taking visitors while busy"
            release.set()
            assert slow.result() == b"/slow"
        assert until(taking_visitors=True), "it took no more visitors once it was done"
        assert urllib.request.urlopen(url + "/next", timeout=10).read() == b"/next"
        assert urllib.request.urlopen(url + "/file", timeout=10).read() == b"a file"
        assert until(taking_visitors=True), "a file sent left it busy"
    finally:
        release.set()
        server.close()


def _count(uri: str, times: int) -> None:
    storage = rate_counts.SharedCounts(uri)
    for _ in range(times):
        storage.incr("client", 3600)


def test_workers_count_into_one_store() -> None:
    counter, uri = rate_counts.start()
    try:
        context = multiprocessing.get_context("fork")
        counting = [context.Process(target=_count, args=(uri, 50)) for _ in range(3)]
        for process in counting:
            process.start()
        for process in counting:
            process.join()
        assert [p.exitcode for p in counting] == [0, 0, 0]
        storage = rate_counts.SharedCounts(uri)
        assert storage.get("client") == 150 and storage.check()
        assert 3500 < storage.get_expiry("client") - time.time() <= 3600
        storage.clear("client")
        assert storage.get("client") == 0
    finally:
        counter.shutdown()
    assert not rate_counts.SharedCounts(uri).check()  # gone: the limiter is told so
