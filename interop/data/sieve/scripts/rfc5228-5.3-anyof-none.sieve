if anyof (false, header :is "subject" "nope") { discard; }
