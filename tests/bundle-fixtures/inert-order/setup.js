__log.push('setup');
