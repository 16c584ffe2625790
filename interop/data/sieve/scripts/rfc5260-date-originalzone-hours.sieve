require ["date", "relational", "fileinto"];
if allof(header :contains "from" "sender@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }
