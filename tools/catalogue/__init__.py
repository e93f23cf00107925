"""The option catalogue of each supported Flink line: every key Flink's own ConfigOptions define (see __main__)."""
