require ["include"];
include :personal "always_allow";
if header :contains "subject" "report" { discard; }
