require "index";
if header :index 1 :is "subject" "x" { keep; }
