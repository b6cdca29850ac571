provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

resource "aws_s3_bucket" "east" {
  provider = aws.esat
  bucket   = "east-data"
}

resource "aws_s3_bucket" "quoted" {
  provider = "aws.west"
  bucket   = "quoted"
}
