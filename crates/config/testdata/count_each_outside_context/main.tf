resource "terraform_data" "one" {
  input = count.index
}

output "key" {
  value = each.key
}

resource "terraform_data" "counted" {
  count = 2
  input = "item-${count.index}"
}

resource "terraform_data" "each" {
  for_each = { a = 1 }
  input    = "${each.key}=${each.value}"
}
