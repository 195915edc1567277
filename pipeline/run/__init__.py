"""A run over a dump: the per-file unit of work, the pool or cluster, the result cache, progress and run.log."""
