require ["relational","fileinto"];
if header :value "ne" "subject" ["a", "b"] { fileinto "ne"; }
