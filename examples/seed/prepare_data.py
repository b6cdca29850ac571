"""Writes the fine-tuning file the seed uploads: one {"prompt", "completion"} object per line.

Usage: python prepare_data.py OUTPUT.jsonl [COUNT]

The seed summarises dialogues (DialogSum); this script builds the same shape from a few
templates, deterministically, with the standard library alone, so it runs anywhere offline.
"""
import json
import os
import random
import sys

PEOPLE = ["Amanda", "Ben", "Chen", "Dana", "Eli", "Farah", "Gus", "Hana"]
TOPICS = [
    ("a dinner reservation", "book a table for {n} at seven", "They agree to book a table for {n} at seven."),
    ("a broken laptop", "take it to the repair shop on {day}", "They decide to take the laptop for repair on {day}."),
    ("weekend plans", "go hiking on {day} morning", "They plan to go hiking on {day} morning."),
    ("a late report", "send the report by {day}", "The report will be sent by {day}."),
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def example(generator):
    first, second = generator.sample(PEOPLE, 2)
    topic, plan, summary = generator.choice(TOPICS)
    values = {"n": generator.randint(2, 8), "day": generator.choice(DAYS)}
    dialogue = (
        f"#Person1#: Hi {second}, can we talk about {topic}?\n"
        f"#Person2#: Sure, {first}. What do you suggest?\n"
        f"#Person1#: Let's {plan.format(**values)}.\n"
        f"#Person2#: That works for me."
    )
    return {
        "prompt": f"Summarize the following conversation.\n\n{dialogue}\n\nSummary: ",
        "completion": f"{first} and {second} talk about {topic}. " + summary.format(**values),
    }


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: python prepare_data.py OUTPUT.jsonl [COUNT]")
    output = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    generator = random.Random(42)
    temporary = output + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        for _ in range(count):
            handle.write(json.dumps(example(generator)) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, output)
    print(f"wrote {count} examples to {output}")


if __name__ == "__main__":
    main()
