require ["date","relational","vacation"];
# rule:[Out of office]
if allof (currentdate :zone "+0100" :value "ge" "date" "2024-01-01", currentdate :zone "+0100" :value "le" "date" "2999-12-31")
{
	vacation :days 1 :addresses ["recipient@example.org","rita@example.org"] :subject "Out of office" :from "Rita <recipient@example.org>" "I am away until further notice.";
}
