"""Together: the couple's daily question with a mutual reveal, quizzes that lead to a plan,
rituals with an .ics export, and a memory each person can see (see service.py)."""
