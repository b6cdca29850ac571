locals {
  joined = join(",")
  upper  = upper("a", "b")
}

output "joined" {
  value = local.joined
}
