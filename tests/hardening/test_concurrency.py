"""20 threads issuing 200 commands each: every invite stored once, every count exact."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from bot.db.models import Invite, InviteEvent

THREADS, PER_THREAD = 20, 200
NEW, REPEATS, OUTCOMES = 150, 25, 25  # 150 + 25 + 25 = 200 commands a thread


def test_twenty_threads_two_hundred_commands_each(slack, db):
    failures: list[str] = []
    barrier = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        user = f"U{t:02d}"
        barrier.wait()
        for n in range(NEW):
            # Half the prospects are shared by every thread: teammates collide, nobody is lost.
            key = f"shared-{n}" if n % 2 else f"own-{t}-{n}"
            answer = slack.invited(f"https://linkedin.com/in/{key}", user=user)
            if "Logged 1 invite" not in answer.text:
                failures.append(f"{user} log {key}: {answer.text[:100]}")
            if n < REPEATS:
                again = slack.invited(f"https://www.linkedin.com/in/{key.upper()}/", user=user)
                if "not logged twice" not in again.text:
                    failures.append(f"{user} repeat {key}: {again.text[:100]}")
            if n < OUTCOMES:
                done = slack.invites(f"accepted {key}", user=user)
                if "Marked" not in done.text:
                    failures.append(f"{user} accept {key}: {done.text[:100]}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Invite)) == THREADS * NEW
        assert s.scalar(select(func.count()).select_from(Invite).where(Invite.status == "accepted")) == THREADS * OUTCOMES
        assert s.scalar(select(func.count(func.distinct(Invite.prospect_key)))) == NEW // 2 + THREADS * (NEW // 2)
        assert s.scalar(select(func.count()).select_from(InviteEvent)) == THREADS * (NEW + OUTCOMES)
        per_member = s.execute(select(Invite.member_id, func.count()).group_by(Invite.member_id)).all()
    assert sorted(c for _, c in per_member) == [NEW] * THREADS
