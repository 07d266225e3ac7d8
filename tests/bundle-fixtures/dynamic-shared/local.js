__log.push('local evaluates');
