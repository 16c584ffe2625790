if true {
  keep
}
