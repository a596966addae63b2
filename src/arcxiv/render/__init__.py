"""render: Curriculum -> files. The only stage that writes."""
