"""Instructor tools behind ``gdcourse assign``, ``gdcourse grade`` and ``gdcourse guide``.

- :mod:`.release` writes a student release of chosen lessons (no solutions, assessment mode on);
- :mod:`.grading` runs submitted notebooks in fresh, capped kernels and reads each question's
  outcome; :mod:`.gradebook` writes the CSV gradebook and one feedback page per student;
- :mod:`.guide` generates the per-lesson part and the answer key of ``docs/instructor.md``.

Nothing here is imported by ``import gdcourse``: students never pay for it.
"""
