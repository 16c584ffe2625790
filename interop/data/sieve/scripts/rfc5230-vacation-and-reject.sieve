require ["vacation","reject"];
reject "no";
vacation "away";
