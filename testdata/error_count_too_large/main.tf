resource "terraform_data" "many" {
  count = 1e9
}
