resource "azure_blob" "data" {
  name = "data"
}
