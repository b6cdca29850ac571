resource "terraform_data" "both" {
  count    = 2
  for_each = toset(["a", "b"])
  input    = "x"
}
