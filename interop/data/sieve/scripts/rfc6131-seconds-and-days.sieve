require ["vacation-seconds"];
vacation :days 1 :seconds 60 "both";
