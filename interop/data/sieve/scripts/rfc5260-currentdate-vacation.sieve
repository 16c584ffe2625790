require ["date","relational","vacation"];
if allof(currentdate :value "ge" "date" "2007-06-30",
         currentdate :value "le" "date" "2999-07-07")
{ vacation :days 7 "I'm away during the 2007 IETF meeting."; }
