"""/export's files, made for people: CSVs a spreadsheet opens, a README, and JSON.

Every file says things in plain words: local date and time in the person's zone next to an
ISO UTC column, labels instead of codes, yes/no instead of True/False, and the person's own
words as they wrote them. Delivery records (what the bot sent) and bookkeeping columns are
left out: they are about the bot, not about the person.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.goals import goal_from_rule
from bot.domain.habits import CATALOG, Habit
from bot.domain.quicklog import unit_words
from bot.domain.safety import RED_FLAG_KEYS
from bot.domain.schedule import Rule, describe_weekdays
from bot.storage.person_data import TableRows
from bot.telegram.texts import CHOICE_LABELS, RED_FLAG_BUTTONS

MOOD_WORDS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "very good"}
QUESTION_WORDS = {
    "pain": "pain",
    "where": "where it hurts",
    "stress": "stress",
    "mood": "mood",
    "sleep": "sleep",
    "bloating": "bloating",
    "stool": "stool form",
    "note": "note",
    "rf": "safety questions",
}
SOURCE_WORDS = {
    "text": "you wrote it",
    "nudge": "Done on a reminder",
    "breathe": "breathing exercise",
    "checkin": "check-in finished",
}
FLAG_WORDS = {
    "high_pain": "high pain",
    "rising_pain": "pain rising over days",
    "persistent_pain": "pain staying high for two weeks",
    "red_flag": "a warning sign you reported",
}

HABITS_COLUMNS = (
    "date",
    "time",
    "habit",
    "entry",
    "what",
    "counts_toward_goal",
    "amount",
    "unit",
    "how",
    "your_words",
    "recorded_utc",
)
CHECKINS_COLUMNS = (
    "date",
    "pain_0_to_10",
    "where_it_hurts",
    "stress_0_to_10",
    "mood_1_to_5",
    "mood_in_words",
    "sleep",
    "bloating",
    "stool_bristol_1_to_7",
    "note",
    "questions_skipped",
    "safety_questions_asked",
    "finished",
    "started_time",
    "finished_time",
    "started_utc",
    "finished_utc",
)
PAUSES_COLUMNS = ("from_date", "from_time", "until_date", "until_time", "from_utc", "until_utc")
SAFETY_COLUMNS = ("date", "time", "what", "detail", "recorded_utc")
SETTINGS_COLUMNS = ("habit", "reminders_on", "schedule", "days", "daily_goal", "goal_from")
WEEKLY_PAIN_COLUMNS = (
    "week",
    "date",
    "pain_0_to_10",
    "enjoyment_0_to_10",
    "activity_0_to_10",
    "score_0_to_10",
    "recorded_utc",
)
MOOD_AND_WORRY_COLUMNS = (
    "date",
    "little_interest_0_to_3",
    "feeling_down_0_to_3",
    "nervous_0_to_3",
    "worrying_0_to_3",
    "mood_pair_0_to_6",
    "worry_pair_0_to_6",
    "finished",
    "started_utc",
    "finished_utc",
)

README = """Your nudgebot data
==================

Exported {exported} ({zone}). Times are shown in your time zone, {zone};
each file also has a column ending in _utc with the same moment in UTC
(ISO 8601, e.g. 2026-03-27T07:00:00Z). Dates are YYYY-MM-DD, times HH:MM.
The CSV files are UTF-8 and open in any spreadsheet; nudgebot.json holds
the same data for programs.

habits.csv — every habit you logged or skipped, one line per entry
  date                local day the entry counts for
  time                local time you logged it
  habit               Hydration, Movement break, Gut-friendly food, Breathing, Daily check-in
  entry               "done", or "skipped the day" when you chose Skip today
  what                what you did, e.g. "2 glasses of water", "20 min walk"
  counts_toward_goal  how many toward the day's goal (each glass of water counts one)
  amount, unit        the amount you gave, if any (glasses, cups, ml, minutes)
  how                 you wrote it / Done on a reminder / button / breathing exercise /
                      check-in finished
  your_words          your message, exactly as you wrote it (empty for buttons)
  recorded_utc        when it was recorded, in UTC

checkins.csv — one line per daily check-in
  date                    the day the check-in is about
  pain_0_to_10            0 = no pain, 10 = the worst you can imagine (lower is better)
  where_it_hurts          Lower back, Neck & shoulders, Somewhere else, Nowhere really
  stress_0_to_10          0 = calm, 10 = overwhelmed (lower is better)
  mood_1_to_5             1 = very low ... 5 = very good (higher is better)
  mood_in_words           the same in words
  sleep                   Poorly, OK or Well
  bloating                None, Mild or Strong
  stool_bristol_1_to_7    Bristol stool scale: 1-2 hard, 3-4 smooth and easy, 5-7 soft to watery
  note                    your note, exactly as you wrote it
  questions_skipped       questions you chose to skip
  safety_questions_asked  yes/no: whether the warning-sign questions were asked that day
  finished                yes/no
  started_time, finished_time, started_utc, finished_utc

pauses.csv — times you paused reminders
  from_date, from_time, until_date, until_time (local), from_utc, until_utc

safety.csv — each time the bot suggested seeing a healthcare provider
  date, time          when (local)
  what                high pain, pain rising over days, pain staying high for two
                      weeks, or a warning sign you reported
  detail              the answer that raised it (e.g. "pain 8", or the sign)
  recorded_utc

settings.csv — your habits and reminders
  habit, reminders_on (yes/no), schedule, days, daily_goal,
  goal_from ("your schedule" or "your own number")

weekly_pain.csv — the three weekly questions about the past week (PEG-3)
  week                ISO week, e.g. 2026-W49
  date                the day you answered
  pain_0_to_10        your pain on average (0 = none, 10 = as bad as you can imagine)
  enjoyment_0_to_10   how much pain got in the way of enjoying life (0 = not at all)
  activity_0_to_10    how much pain got in the way of your general activity (0 = not at all)
  score_0_to_10       the mean of the three (lower is better); empty until all three are in
  recorded_utc

mood_and_worry.csv — the four questions every two weeks, if you chose them (PHQ-4)
  date                the day you were asked
  little_interest_0_to_3, feeling_down_0_to_3, nervous_0_to_3, worrying_0_to_3
                      0 = not at all, 1 = several days, 2 = more than half the days,
                      3 = nearly every day
  mood_pair_0_to_6    the first two added up (PHQ-2; 3 or more is worth talking about)
  worry_pair_0_to_6   the last two added up (GAD-2; 3 or more is worth talking about)
  finished            yes/no
  started_utc, finished_utc

nudgebot.json — all of the above plus your profile (name, time zone, your day
and sitting hours), for programs.
"""


@dataclass(frozen=True)
class Export:
    """A person's data as one zip file."""

    zip_name: str
    zip_bytes: bytes
    rows: int
    files: tuple[str, ...]


def _utc(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _local(value: datetime | None, zone: ZoneInfo) -> tuple[str, str]:
    if value is None:
        return "", ""
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d}", f"{local:%H:%M}"


def _yes(value: object) -> str:
    return "yes" if value else "no"


def _label(kind: str, code: str | None) -> str:
    """Turn a stored answer code into its label, without the emoji."""
    if code is None:
        return ""
    label = CHOICE_LABELS.get(kind, {}).get(code, code)
    return label.split(" ", 1)[1] if label[:1] and not label[:1].isalnum() else label


def _habit_name(code: str) -> str:
    try:
        return CATALOG[Habit(code)].name
    except ValueError:
        return code


def _how(source: str) -> str:
    return "button" if source.startswith("hint:") else SOURCE_WORDS.get(source, source)


def _habits(logs: list[dict[str, Any]], skips: list[dict[str, Any]], zone: ZoneInfo) -> list[Any]:
    """One line per entry: the rows of a multi-glass entry are folded into their first row."""
    parts: dict[int, int] = {}
    for row in logs:
        if row.get("entry_of") is not None:
            parts[row["entry_of"]] = parts.get(row["entry_of"], 0) + 1
    lines: list[tuple[Any, ...]] = []
    for row in logs:
        if row.get("entry_of") is not None:
            continue
        count = 1 + parts.get(row["id"], 0)
        amount, unit = (count, "glass") if count > 1 else (row["amount"], row["unit"])
        lines.append(
            (
                row["local_date"].isoformat(),
                _local(row["at"], zone)[1],
                _habit_name(row["habit"]),
                "done",
                row.get("label") or _habit_name(row["habit"]).lower(),
                count,
                "" if amount is None else amount,
                unit_words(amount, unit),
                _how(row["source"]),
                row.get("said") or "",
                _utc(row["at"]),
            )
        )
    for row in skips:
        lines.append(
            (
                row["local_date"].isoformat(),
                _local(row["created_at"], zone)[1],
                _habit_name(row["habit"]),
                "skipped the day",
                "",
                0,
                "",
                "",
                "Skip today on a reminder",
                "",
                _utc(row["created_at"]),
            )
        )
    return sorted(lines, key=lambda line: (line[0], line[10]))


def _checkins(rows: list[dict[str, Any]], zone: ZoneInfo) -> list[Any]:
    out = []
    for row in rows:
        mood = row["mood"]
        out.append(
            (
                row["local_date"].isoformat(),
                "" if row["pain"] is None else row["pain"],
                _label("where", row["pain_where"]),
                "" if row["stress"] is None else row["stress"],
                "" if mood is None else mood,
                MOOD_WORDS.get(mood, "") if mood is not None else "",
                _label("sleep", row["sleep"]),
                _label("bloating", row["bloating"]),
                "" if row["stool"] is None else row["stool"],
                row["note"] or "",
                ", ".join(QUESTION_WORDS.get(k, k) for k in row["skipped"] or []),
                _yes(row["red_flags_asked"]),
                _yes(row["completed_at"] is not None),
                _local(row["started_at"], zone)[1],
                _local(row["completed_at"], zone)[1],
                _utc(row["started_at"]),
                _utc(row["completed_at"]),
            )
        )
    return out


def _pauses(rows: list[dict[str, Any]], zone: ZoneInfo) -> list[Any]:
    return [
        (
            *_local(r["starts_at"], zone),
            *_local(r["ends_at"], zone),
            _utc(r["starts_at"]),
            _utc(r["ends_at"]),
        )
        for r in rows
    ]


def _safety(rows: list[dict[str, Any]], zone: ZoneInfo) -> list[Any]:
    out = []
    for r in rows:
        detail = r["detail"] or ""
        if r["kind"] == "red_flag" and detail in RED_FLAG_KEYS:
            detail = RED_FLAG_BUTTONS.get(detail, detail)
        date_, time_ = _local(r["created_at"], zone)
        out.append(
            (date_, time_, FLAG_WORDS.get(r["kind"], r["kind"]), detail, _utc(r["created_at"]))
        )
    return out


def _settings(rows: list[dict[str, Any]]) -> list[Any]:
    out = []
    for r in rows:
        try:
            habit = Habit(r["habit"])
            rule: Rule | None = Rule.from_dict(r["rule"])
        except ValueError:
            continue
        assert rule is not None
        goal = goal_from_rule(habit, rule, r.get("goal"))
        out.append(
            (
                CATALOG[habit].name,
                _yes(r["enabled"]),
                rule.describe(),
                describe_weekdays(rule.weekdays),
                goal,
                "your own number" if r.get("goal") is not None else "your schedule",
            )
        )
    return out


def _blank(value: object) -> object:
    return "" if value is None else value


def _weekly_pain(rows: list[dict[str, Any]]) -> list[Any]:
    return [
        (
            r["week"],
            r["local_date"].isoformat(),
            _blank(r["pain"]),
            _blank(r["enjoyment"]),
            _blank(r["activity"]),
            _blank(r["score"]),
            _utc(r["updated_at"]),
        )
        for r in sorted(rows, key=lambda r: r["week"])
    ]


def _mood_and_worry(rows: list[dict[str, Any]]) -> list[Any]:
    return [
        (
            r["local_date"].isoformat(),
            _blank(r["interest"]),
            _blank(r["down"]),
            _blank(r["nervous"]),
            _blank(r["worry"]),
            _blank(r["phq2"]),
            _blank(r["gad2"]),
            _yes(r["completed_at"] is not None),
            _utc(r["started_at"]),
            _utc(r["completed_at"]),
        )
        for r in sorted(rows, key=lambda r: r["local_date"])
    ]


def _csv(columns: Sequence[str], lines: Sequence[Sequence[Any]]) -> bytes:
    """RFC 4180 CSV (CRLF, quotes doubled), UTF-8 with a BOM so spreadsheets read accents."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(lines)
    return out.getvalue().encode("utf-8-sig")


def _records(columns: Sequence[str], lines: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, line, strict=True)) for line in lines]


def build_export(tables: list[TableRows], now: datetime) -> Export:
    """Pack a person's rows as a README, CSV files and JSON in one zip (CPU work: a thread)."""
    by_name = {t.name: t.rows for t in tables}
    person = (by_name.get("people") or [{}])[0]
    zone = ZoneInfo(person.get("timezone") or "UTC")
    files: dict[str, tuple[Sequence[str], list[Any]]] = {
        "habits": (
            HABITS_COLUMNS,
            _habits(by_name.get("habit_logs", []), by_name.get("day_skips", []), zone),
        ),
        "checkins": (CHECKINS_COLUMNS, _checkins(by_name.get("checkins", []), zone)),
        "pauses": (PAUSES_COLUMNS, _pauses(by_name.get("pauses", []), zone)),
        "safety": (SAFETY_COLUMNS, _safety(by_name.get("safety_flags", []), zone)),
        "settings": (SETTINGS_COLUMNS, _settings(by_name.get("reminders", []))),
        "weekly_pain": (WEEKLY_PAIN_COLUMNS, _weekly_pain(by_name.get("peg_scores", []))),
        "mood_and_worry": (
            MOOD_AND_WORRY_COLUMNS,
            _mood_and_worry(by_name.get("phq_answers", [])),
        ),
    }
    profile = {
        "name": person.get("first_name", ""),
        "time_zone": zone.key,
        "day": f"{person.get('wake_time') or ''}–{person.get('sleep_time') or ''}",
        "sitting_hours": f"{person.get('sit_start') or ''}–{person.get('sit_end') or ''}",
        "tea_and_coffee_count_as_water": _yes(person.get("hot_drinks_count")),
        "joined_utc": _utc(person.get("created_at")),
        "group_challenges_joined": len(by_name.get("challenge_members", [])),
    }
    document = {
        "exported_utc": _utc(now),
        "profile": profile,
        **{name: _records(cols, lines) for name, (cols, lines) in files.items()},
    }
    local_now = now.astimezone(zone)
    buffer = io.BytesIO()
    names = ["README.txt", *(f"{n}.csv" for n in files), "nudgebot.json"]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        readme = README.format(exported=f"{local_now:%Y-%m-%d %H:%M}", zone=zone.key)
        archive.writestr("README.txt", readme.replace("\n", "\r\n").encode("utf-8-sig"))
        for name, (columns, lines) in files.items():
            archive.writestr(f"{name}.csv", _csv(columns, lines))
        archive.writestr(
            "nudgebot.json", json.dumps(document, ensure_ascii=False, indent=1).encode()
        )
    return Export(
        zip_name=f"nudgebot-{local_now:%Y-%m-%d}.zip",
        zip_bytes=buffer.getvalue(),
        rows=sum(len(lines) for _, lines in files.values()),
        files=tuple(names),
    )
