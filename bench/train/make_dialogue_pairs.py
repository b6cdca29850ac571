"""Deterministic dialogue/summary pairs for the SmolLM2 LoRA run (prompt/completion JSONL).
Usage: make_dialogue_pairs.py N OUT.jsonl   The summary follows from the dialogue, so it is learnable."""
import json, random, sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(11)
people = ["Anna", "Ben", "Carla", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
places = ["the Italian restaurant", "the hotel", "the dentist", "the train station", "the library", "the gym"]
things = ["a table", "a room", "an appointment", "two tickets", "a study room", "a personal trainer"]
days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
times = ["9 am", "11 am", "1 pm", "3 pm", "6 pm", "8 pm"]
with open(out, "w") as f:
    for _ in range(n):
        a, b = rng.sample(people, 2)
        k = rng.randrange(len(places))
        day, time = rng.choice(days), rng.choice(times)
        changed = rng.random() < 0.5
        new_time = rng.choice([t for t in times if t != time])
        lines = [f"{a}: Hello, is this {places[k]}? I would like to book {things[k]}.",
                 f"{b}: Of course. For which day?",
                 f"{a}: {day}, at {time} if possible.",
                 f"{b}: Let me check. " + (f"{time} is taken, but {new_time} is free." if changed else f"Yes, {time} is free."),
                 f"{a}: " + ("That works, thank you." if changed else "Great, please book it."),
                 f"{b}: Done. See you on {day}."]
        final = new_time if changed else time
        summary = f"{a} books {things[k]} at {places[k]} for {day} at {final}."
        f.write(json.dumps({"prompt": "Summarize the dialogue.\n" + "\n".join(lines) + "\nSummary:",
                            "completion": " " + summary}) + "\n")
