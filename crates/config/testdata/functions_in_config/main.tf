locals {
  bucket   = format("lathe-%s-%03d", "data", 7)
  parts    = split("/", "a/b/c")
  merged   = merge({ a = 1 }, { b = 2 })
  json     = jsonencode({ epochs = 2, lr = "1e-5" })
  decoded  = jsondecode("{\"x\": [1, 2]}").x
  hash     = substr(sha256("hello"), 0, 12)
  encoded  = base64encode("lathe")
  filename = basename("data/train.jsonl")
  content  = trimspace(file("${path.module}/prompt.txt"))
  exists   = fileexists("${path.module}/missing.txt")
  maximum  = max(3, 9, 4)
  coalesce = coalesce("", "fallback")
  spread   = min([5, 2, 8]...)
  lookup   = lookup({ a = "x" }, "b", "default")
  try      = try(local.merged.c, "none")
  can      = can(local.merged.a)
  range    = range(0, 10, 3)
}
