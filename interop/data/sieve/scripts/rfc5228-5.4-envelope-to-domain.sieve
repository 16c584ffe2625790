require "envelope";
if envelope :domain :is "to" "example.org" { redirect "env@example.net"; }
