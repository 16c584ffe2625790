require "comparator-i;ascii-numeric";
if header :comparator "i;ascii-numeric" :is "subject" "" { redirect "inf@example.net"; }
