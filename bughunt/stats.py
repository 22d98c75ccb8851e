"""How many distinct exercises the seeds give, per topic (``bughunt stats``).

Two exercises are the same when their fingerprints are (comments, layout and local names set
aside). ``distinct`` is what a learner can practise before a repeat: ``generate`` never writes
an exercise whose fingerprint the workspace already has. ``first_repeat`` is how many random
seeds it took before two gave the same exercise. ``structural`` is the stricter count that also
sets numbers aside (learning rates, main()'s defaults): what differs then is the program, the
bugs and where they sit, spellings and order. With ``check``, every distinct exercise is
also verified: caught by the detectors as ``generate`` requires (the exercise, and each of its
bugs alone), and passing once its reveal diff is applied (which turns it into its reference).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import random
from dataclasses import dataclass
from typing import Callable, Optional

from bughunt.cluster import allow_children, pool
from bughunt.programs import Folder, programs_of
from bughunt.camouflage import normalised
from bughunt.exercise import Exercise
from bughunt.grading import caught, verifier
from bughunt.witnesses import measured


@dataclass(frozen=True)
class TopicStats:
    topic: str
    seeds: int
    distinct: int
    structural: int  # distinct once numbers are set aside too
    first_repeat: Optional[int]  # seeds drawn until the first repeat; None: no repeat
    caught: Optional[int] = None  # with check: distinct exercises the detectors catch
    passing: Optional[int] = None  # with check: distinct exercises whose revealed fix passes


def _exercise(topic: str, seed: int, bugs: int, user: Optional[Folder] = None, check: bool = False) -> Exercise:
    programs = programs_of(topic, user)
    program = programs[random.Random(f"stats/{seed}").randrange(len(programs))]
    return Exercise(measured(program) if check else program, seed, bugs)  # checked: with its witnesses


def topic_stats(topic: str, seeds: int = 1000, bugs: int = 1, check: bool = False,
                timeout: Optional[float] = None, user: Optional[Folder] = None) -> TopicStats:
    seen: set[str] = set()
    structural: set[str] = set()
    first_repeat = None
    found = passing = 0
    with verifier(timeout) if check else contextlib.nullcontext() as session:
        for seed in range(seeds):
            exercise = _exercise(topic, seed, bugs, user, check)
            if len(exercise.chosen) < bugs:
                continue
            fingerprint = exercise.fingerprint()
            if fingerprint in seen:
                first_repeat = first_repeat or seed + 1
                continue
            seen.add(fingerprint)
            structural.add(normalised(exercise.source(), numbers=False))
            if session is not None:  # checked now, while its sources are in the cache
                reference = exercise.reference_source
                found += caught(session, exercise)  # what generate requires before it writes an exercise
                passing += session.verify(exercise.program, reference, reference, "<revealed>", shrink=False).fixed
    if not check:
        return TopicStats(topic, seeds, len(seen), len(structural), first_repeat)
    return TopicStats(topic, seeds, len(seen), len(structural), first_repeat, found, passing)


def _one(args: tuple[str, int, int, bool, float, Optional[Folder]]) -> TopicStats:
    allow_children()  # on a Dask worker the verifier still starts its own processes
    return topic_stats(*args)


def all_stats(topics: list[str], seeds: int, bugs: int, check: bool, jobs: int = 0,
              on_topic: Optional[Callable[[TopicStats], None]] = None,
              timeout: Optional[float] = None, user: Optional[Folder] = None,
              cluster: Optional[str] = None) -> list[TopicStats]:
    """One topic per job, on every core or on the Dask cluster at ``cluster`` (``user``: the
    folder of the user's programs, --programs)."""
    jobs = jobs or multiprocessing.cpu_count()
    context = multiprocessing.get_context("spawn")
    results = {}
    with pool(cluster, min(jobs, len(topics)), context) as workers:
        for stats in workers.executor.map(_one, [(t, seeds, bugs, check, timeout, user) for t in topics]):
            results[stats.topic] = stats
            if on_topic:
                on_topic(stats)
    return [results[t] for t in topics]
