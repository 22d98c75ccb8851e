"""tinyclf: a small tabular classifier, the sample project `bughunt mutate` is tested on."""
