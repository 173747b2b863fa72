"""A private iCalendar feed per user: sessions they coach or are booked into."""
