"""The LLM pool: bounded, its threads started before the work, and closed without running what waits."""

from __future__ import annotations

import threading
import time

from bot.coach.pool import LLMPool
from bot.llm.errors import LLMUnavailable


def test_a_full_pool_refuses_at_once_and_a_finished_job_frees_its_place() -> None:
    pool = LLMPool(workers=1, max_waiting=1)
    release, done = threading.Event(), threading.Event()
    assert pool.submit(release.wait)
    assert not pool.submit(lambda: None), "the one place is taken: the caller answers offline"
    release.set()

    def fails() -> None:
        done.set()
        raise LLMUnavailable("down")

    for _ in range(50):  # the first job's place comes back once it ends
        if pool.submit(fails):
            break
        threading.Event().wait(0.01)
    assert done.wait(2)
    pool.shutdown()


def test_a_started_pool_starts_no_thread_when_work_arrives() -> None:
    pool = LLMPool(workers=24, max_waiting=64)
    pool.start()
    running_before = set(threading.enumerate())
    ran: list[threading.Thread] = []
    finished = threading.Barrier(21)

    def job() -> None:
        ran.append(threading.current_thread())
        finished.wait(5)

    for _ in range(20):
        assert pool.submit(job)
    finished.wait(5)
    assert len(ran) == 20
    assert all(thread in running_before for thread in ran), "every job ran on a thread started before it came"
    pool.shutdown()


def test_a_pool_nobody_started_starts_its_threads_at_the_first_job() -> None:
    pool = LLMPool(workers=2, max_waiting=4)
    done = threading.Event()
    assert pool.submit(done.set)
    assert done.wait(2)
    pool.shutdown()


def test_after_shutdown_waiting_jobs_never_run_and_new_ones_are_refused() -> None:
    pool = LLMPool(workers=1, max_waiting=4)
    release, late = threading.Event(), threading.Event()
    assert pool.submit(release.wait)
    assert pool.submit(late.set)
    pool.shutdown()
    release.set()

    assert not late.wait(0.3), "the job that was still waiting was dropped"
    assert not pool.submit(lambda: None)


def test_a_burst_of_jobs_starts_one_per_gap_and_every_job_still_runs() -> None:
    """Fifty LLM requests sent in one instant took the cores from the acknowledgements answered beside them."""
    gap = 0.02
    pool = LLMPool(workers=10, max_waiting=10, start_gap=gap)
    pool.start()
    started: list[float] = []
    lock, all_started = threading.Lock(), threading.Event()

    def job() -> None:
        with lock:
            started.append(time.monotonic())
            if len(started) == 10:
                all_started.set()

    submitted = time.monotonic()
    for _ in range(10):
        assert pool.submit(job)
    assert all_started.wait(5)
    pool.shutdown()
    # Each job starts no earlier than its turn (a thread may wake late, never early): the k-th start comes at
    # least k gaps after the burst arrived.
    assert all(at >= submitted + k * gap for k, at in enumerate(sorted(started))), [at - submitted for at in started]
    assert max(started) - submitted < 9 * gap + 1.0


def test_a_job_alone_starts_at_once() -> None:
    pool = LLMPool(workers=2, max_waiting=4, start_gap=0.5)
    pool.start()
    done = threading.Event()
    time.sleep(0.6)  # any earlier start's gap is over
    submitted = time.monotonic()
    assert pool.submit(done.set)
    assert done.wait(2)
    assert time.monotonic() - submitted < 0.25
    pool.shutdown()
