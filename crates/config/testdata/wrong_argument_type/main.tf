locals {
  names = ["a", "b"]
}

output "bad" {
  value = upper(local.names)
}

output "arith" {
  value = "x" + 1
}
