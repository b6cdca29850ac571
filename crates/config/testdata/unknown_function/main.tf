output "x" {
  value = uper("hello")
}
