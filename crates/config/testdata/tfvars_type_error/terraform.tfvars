epochs  = "many"
unknown = 1
