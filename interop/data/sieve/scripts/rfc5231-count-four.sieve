require ["relational", "comparator-i;ascii-numeric"];
if address :count "gt" :comparator "i;ascii-numeric" ["to", "cc"] ["3"] { discard; }
