require "fileinto";
if true {
  fileinto 42;
}
