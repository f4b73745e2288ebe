"""The stages of a build, in the order the data flows through them: ``read`` (and prepare),
``embed``, ``rank``, ``compare``, ``generate`` (with a model), ``assemble``. Each takes and
returns named data (``run.py``); ``memo._pipeline.build`` drives them."""
