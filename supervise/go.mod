module a.jobflow/supervise

go 1.26.8
